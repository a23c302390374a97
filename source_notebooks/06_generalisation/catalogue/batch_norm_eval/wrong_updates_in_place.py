# Updates the running arrays in place (and returns them), so the old statistics change
def update_running_statistics(running_mean, running_var, inputs, momentum):
    running_mean *= momentum
    running_mean += (1 - momentum) * inputs.mean(axis=0)
    running_var *= momentum
    running_var += (1 - momentum) * inputs.var(axis=0)
    return running_mean, running_var


def batch_norm_eval_fprop(inputs, gamma, beta, running_mean, running_var, epsilon):
    return gamma * (inputs - running_mean) / np.sqrt(running_var + epsilon) + beta
