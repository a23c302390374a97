# Normalises with the batch's own statistics in evaluation mode too
def update_running_statistics(running_mean, running_var, inputs, momentum):
    return (momentum * running_mean + (1 - momentum) * inputs.mean(axis=0),
            momentum * running_var + (1 - momentum) * inputs.var(axis=0))


def batch_norm_eval_fprop(inputs, gamma, beta, running_mean, running_var, epsilon):
    return gamma * (inputs - inputs.mean(axis=0)) / np.sqrt(inputs.var(axis=0) + epsilon) + beta
