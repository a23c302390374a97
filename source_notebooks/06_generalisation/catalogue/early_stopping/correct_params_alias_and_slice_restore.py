# Names the list once (params = run.params), counts epochs since the best one, restores with param[:] = saved
def early_stopping(run, max_epochs, patience):
    params = run.params
    errors = [run.validation_error()]
    best_epoch = 0
    saved = [param.copy() for param in params]
    for epoch in range(1, max_epochs + 1):
        run.train_epoch()
        error = run.validation_error()
        errors.append(error)
        if error < min(errors[:-1]):
            best_epoch = epoch
            saved = [param.copy() for param in params]
        elif epoch - best_epoch >= patience:
            break
    for param, value in zip(params, saved):
        param[:] = value
    return best_epoch, errors
