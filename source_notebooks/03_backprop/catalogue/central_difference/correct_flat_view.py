# Works on a flat view of a float64 copy, with a try/finally that puts each entry back
def central_difference(function, x, h=1e-5):
    point = np.array(x, dtype=float, copy=True)
    flat = point.reshape(-1)
    gradient = np.zeros_like(flat)
    for i, original in enumerate(flat.copy()):
        try:
            flat[i] = original + h
            above = function(point)
            flat[i] = original - h
            below = function(point)
        finally:
            flat[i] = original
        gradient[i] = 0.5 * (above - below) / h
    return gradient.reshape(point.shape)
