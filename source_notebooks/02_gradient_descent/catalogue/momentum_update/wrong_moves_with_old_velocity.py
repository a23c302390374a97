# Moves the parameter with the old velocity and only then updates the velocity
def momentum_update(param, grad, velocity, learning_rate, mom_coeff):
    new_param = param + velocity
    new_velocity = mom_coeff * velocity - learning_rate * grad
    return new_param, new_velocity
