# Keeps a running standard deviation but uses it as if it were the variance
def update_running_statistics(running_mean, running_var, inputs, momentum):
    return (momentum * running_mean + (1 - momentum) * inputs.mean(axis=0),
            momentum * running_var + (1 - momentum) * inputs.std(axis=0))


def batch_norm_eval_fprop(inputs, gamma, beta, running_mean, running_var, epsilon):
    return gamma * (inputs - running_mean) / np.sqrt(running_var + epsilon) + beta
