# The value as a dot product of the flattened array with itself; the gradient built entry by entry
def l2_penalty(parameter, coefficient):
    flat = np.ravel(parameter).astype(np.float64)
    return coefficient * np.dot(flat, flat) / 2


def l2_penalty_grad(parameter, coefficient):
    grads = np.empty(np.shape(parameter))
    for index in np.ndindex(*np.shape(parameter)):
        grads[index] = coefficient * parameter[index]
    return grads
