# The gradient is sign(w), without the coefficient lambda
def l1_penalty(parameter, coefficient):
    return coefficient * float(np.sum(np.abs(parameter)))


def l1_penalty_grad(parameter, coefficient):
    return np.sign(parameter)
