# The same formula with explicit NumPy ufuncs and a copy of the parameter
def momentum_update(param, grad, velocity, learning_rate, mom_coeff):
    new_velocity = np.subtract(np.multiply(velocity, mom_coeff), np.multiply(grad, learning_rate))
    new_param = np.array(param, copy=True)
    np.add(new_param, new_velocity, out=new_param)
    return new_param, new_velocity
