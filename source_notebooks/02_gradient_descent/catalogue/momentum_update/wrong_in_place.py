# Updates the arrays it was given in place (*=, -=, +=) instead of returning new ones
def momentum_update(param, grad, velocity, learning_rate, mom_coeff):
    velocity *= mom_coeff
    velocity -= learning_rate * grad
    param += velocity
    return param, velocity
