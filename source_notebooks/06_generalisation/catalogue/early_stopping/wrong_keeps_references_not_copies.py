# Remembers the best parameters as list(run.params): references to the arrays training keeps changing
def early_stopping(run, max_epochs, patience):
    errors = [run.validation_error()]
    best_epoch, best_params, waited = 0, list(run.params), 0
    for epoch in range(1, max_epochs + 1):
        run.train_epoch()
        errors.append(run.validation_error())
        if errors[-1] < errors[best_epoch]:
            best_epoch, best_params, waited = epoch, list(run.params), 0
        else:
            waited += 1
            if waited >= patience:
                break
    for param, best_param in zip(run.params, best_params):
        param[...] = best_param
    return best_epoch, errors
