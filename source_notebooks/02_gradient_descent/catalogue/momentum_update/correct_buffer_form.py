# The PyTorch form: a buffer b = alpha * b + g with velocity = -eta * b
def momentum_update(param, grad, velocity, learning_rate, mom_coeff):
    buffer = -velocity / learning_rate
    buffer = mom_coeff * buffer + grad
    new_velocity = -learning_rate * buffer
    return param + new_velocity, new_velocity
