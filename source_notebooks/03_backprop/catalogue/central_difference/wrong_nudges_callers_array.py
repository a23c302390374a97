# Nudges the caller's array itself and never puts the entry back: x is changed, later entries are wrong
def central_difference(function, x, h=1e-5):
    gradient = np.zeros(np.shape(x))
    for index in np.ndindex(x.shape):
        x[index] += h
        value_plus = function(x)
        x[index] -= 2 * h
        value_minus = function(x)
        gradient[index] = (value_plus - value_minus) / (2 * h)
    return gradient
