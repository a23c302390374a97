# Finds the best epoch but leaves the parameters of the last epoch in the model
def early_stopping(run, max_epochs, patience):
    errors = [run.validation_error()]
    best_epoch, waited = 0, 0
    for epoch in range(1, max_epochs + 1):
        run.train_epoch()
        errors.append(run.validation_error())
        if errors[-1] < errors[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best_epoch, errors
