# Sums the signed values instead of their absolute values
def l1_penalty(parameter, coefficient):
    return coefficient * float(np.sum(parameter))


def l1_penalty_grad(parameter, coefficient):
    return coefficient * np.sign(parameter)
