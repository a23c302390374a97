# Moments updated as m + (1 - beta) * (g - m), the "exponential moving average" form
def adam_update(param, grad, first_moment, second_moment, step, learning_rate=1e-3, beta_1=0.9, beta_2=0.999,
                epsilon=1e-8):
    new_first_moment = first_moment + (1 - beta_1) * (grad - first_moment)
    new_second_moment = second_moment + (1 - beta_2) * (np.square(grad) - second_moment)
    denominator = np.sqrt(new_second_moment / (1 - beta_2**step)) + epsilon
    new_param = param - learning_rate * (new_first_moment / (1 - beta_1**step)) / denominator
    return new_param, new_first_moment, new_second_moment
