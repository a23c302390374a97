# Builds each step h e_i as a separate array and evaluates at new arrays x +- h e_i
def central_difference(function, x, h=1e-5):
    point = np.asarray(x, dtype=np.float64)
    flat_gradient = np.empty(point.size)
    for i in range(point.size):
        step = np.zeros(point.size)
        step[i] = h
        step = step.reshape(point.shape)
        flat_gradient[i] = (function(point + step) - function(point - step)) / (2.0 * h)
    return flat_gradient.reshape(point.shape)
