# Loops over range(len(x)) with x[i]: right for vectors only, nudges whole rows of a matrix
def central_difference(function, x, h=1e-5):
    point = np.array(x, dtype=np.float64)
    gradient = np.zeros(point.shape)
    for i in range(len(point)):
        original = point[i].copy()
        point[i] = original + h
        value_plus = function(point)
        point[i] = original - h
        value_minus = function(point)
        point[i] = original
        gradient[i] = (value_plus - value_minus) / (2 * h)
    return gradient
