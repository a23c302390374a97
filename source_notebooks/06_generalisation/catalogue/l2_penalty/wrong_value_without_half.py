# Forgets the factor 1/2 in the value (the gradient is right)
def l2_penalty(parameter, coefficient):
    return coefficient * float(np.sum(parameter**2))


def l2_penalty_grad(parameter, coefficient):
    return coefficient * parameter
