# Wraps the coefficients in np.float64 scalars: float32 arrays come back as float64 in NumPy 2, which the kit accepts
def momentum_update(param, grad, velocity, learning_rate, mom_coeff):
    new_velocity = np.float64(mom_coeff) * velocity - np.float64(learning_rate) * grad
    return param + new_velocity, new_velocity
