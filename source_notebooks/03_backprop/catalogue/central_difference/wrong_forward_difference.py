# Forward difference (f(x + h e_i) - f(x)) / h: error of order h, not h**2
def central_difference(function, x, h=1e-5):
    point = np.array(x, dtype=np.float64)
    gradient = np.zeros(point.shape)
    value = function(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        gradient[index] = (function(point) - value) / h
        point[index] = original
    return gradient
