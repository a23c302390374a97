# Bias corrections with np.power(beta, step), a NumPy float64 scalar (float32 arrays become float64 in NumPy 2)
def adam_update(param, grad, first_moment, second_moment, step, learning_rate=1e-3, beta_1=0.9, beta_2=0.999,
                epsilon=1e-8):
    new_first_moment = beta_1 * first_moment + (1 - beta_1) * grad
    new_second_moment = beta_2 * second_moment + (1 - beta_2) * np.square(grad)
    first_moment_corrected = new_first_moment / (1 - np.power(beta_1, step))
    second_moment_corrected = new_second_moment / (1 - np.power(beta_2, step))
    new_param = param - learning_rate * first_moment_corrected / (np.sqrt(second_moment_corrected) + epsilon)
    return new_param, new_first_moment, new_second_moment
