# The update as a step of size (1 - momentum) towards the batch statistics; evaluation as scale and shift
def update_running_statistics(running_mean, running_var, inputs, momentum):
    batch_mean = np.mean(inputs, axis=0)
    batch_var = np.mean((inputs - batch_mean) ** 2, axis=0)
    return running_mean + (1 - momentum) * (batch_mean - running_mean), running_var + (1 - momentum) * (batch_var - running_var)


def batch_norm_eval_fprop(inputs, gamma, beta, running_mean, running_var, epsilon):
    scale = gamma / np.sqrt(running_var + epsilon)
    return inputs * scale + (beta - running_mean * scale)
