# A while loop with a running best value; np.copyto restores into the same arrays
def early_stopping(run, max_epochs, patience):
    errors = [float(run.validation_error())]
    best_error, best_epoch = errors[0], 0
    saved = [np.array(param, copy=True) for param in run.params]
    epoch = 0
    while epoch < max_epochs and epoch - best_epoch < patience:
        epoch += 1
        run.train_epoch()
        errors.append(float(run.validation_error()))
        if errors[-1] < best_error:
            best_error, best_epoch = errors[-1], epoch
            saved = [np.array(param, copy=True) for param in run.params]
    for param, value in zip(run.params, saved):
        np.copyto(param, value)
    return best_epoch, errors
