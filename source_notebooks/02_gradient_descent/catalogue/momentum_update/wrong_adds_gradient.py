# Adds the gradient to the velocity instead of subtracting it, so it climbs uphill
def momentum_update(param, grad, velocity, learning_rate, mom_coeff):
    new_velocity = mom_coeff * velocity + learning_rate * grad
    return param + new_velocity, new_velocity
