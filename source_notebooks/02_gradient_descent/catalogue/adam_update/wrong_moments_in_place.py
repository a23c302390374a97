# Updates the moment arrays it was given in place (*=, +=), so the caller's first_moment and second_moment change
def adam_update(param, grad, first_moment, second_moment, step, learning_rate=1e-3, beta_1=0.9, beta_2=0.999,
                epsilon=1e-8):
    first_moment *= beta_1
    first_moment += (1 - beta_1) * grad
    second_moment *= beta_2
    second_moment += (1 - beta_2) * grad**2
    first_moment_corrected = first_moment / (1 - beta_1**step)
    second_moment_corrected = second_moment / (1 - beta_2**step)
    new_param = param - learning_rate * first_moment_corrected / (np.sqrt(second_moment_corrected) + epsilon)
    return new_param, first_moment, second_moment
