# The paper's efficient form: fold both corrections into the step size (and rescale epsilon to match)
import math


def adam_update(param, grad, first_moment, second_moment, step, learning_rate=1e-3, beta_1=0.9, beta_2=0.999,
                epsilon=1e-8):
    new_first_moment = beta_1 * first_moment + (1.0 - beta_1) * grad
    new_second_moment = beta_2 * second_moment + (1.0 - beta_2) * grad * grad
    second_correction = math.sqrt(1.0 - beta_2**step)
    step_size = learning_rate * second_correction / (1.0 - beta_1**step)
    new_param = param - step_size * new_first_moment / (np.sqrt(new_second_moment) + epsilon * second_correction)
    return new_param, new_first_moment, new_second_moment
