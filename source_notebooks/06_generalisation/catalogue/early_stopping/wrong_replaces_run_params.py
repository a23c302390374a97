# "Restores" by replacing the list: run.params = best_params; the model's layers still hold the last epoch's arrays
def early_stopping(run, max_epochs, patience):
    errors = [run.validation_error()]
    best_epoch, best_params, waited = 0, [param.copy() for param in run.params], 0
    for epoch in range(1, max_epochs + 1):
        run.train_epoch()
        errors.append(run.validation_error())
        if errors[-1] < errors[best_epoch]:
            best_epoch, best_params, waited = epoch, [param.copy() for param in run.params], 0
        else:
            waited += 1
            if waited >= patience:
                break
    run.params = best_params
    return best_epoch, errors
