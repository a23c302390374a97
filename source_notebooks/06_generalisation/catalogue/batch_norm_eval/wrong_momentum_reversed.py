# Gives the weight momentum to the new batch instead of to the old running statistics
def update_running_statistics(running_mean, running_var, inputs, momentum):
    return (momentum * inputs.mean(axis=0) + (1 - momentum) * running_mean,
            momentum * inputs.var(axis=0) + (1 - momentum) * running_var)


def batch_norm_eval_fprop(inputs, gamma, beta, running_mean, running_var, epsilon):
    return gamma * (inputs - running_mean) / np.sqrt(running_var + epsilon) + beta
