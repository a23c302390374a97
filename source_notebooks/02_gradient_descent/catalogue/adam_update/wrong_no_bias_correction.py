# Leaves out the bias correction, so the first steps use moments that are far too small
def adam_update(param, grad, first_moment, second_moment, step, learning_rate=1e-3, beta_1=0.9, beta_2=0.999,
                epsilon=1e-8):
    new_first_moment = beta_1 * first_moment + (1 - beta_1) * grad
    new_second_moment = beta_2 * second_moment + (1 - beta_2) * grad**2
    new_param = param - learning_rate * new_first_moment / (np.sqrt(new_second_moment) + epsilon)
    return new_param, new_first_moment, new_second_moment
