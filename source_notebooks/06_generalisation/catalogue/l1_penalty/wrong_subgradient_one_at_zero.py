# Treats 0 as positive: the subgradient at exactly 0 is +lambda instead of 0
def l1_penalty(parameter, coefficient):
    return coefficient * float(np.sum(np.abs(parameter)))


def l1_penalty_grad(parameter, coefficient):
    return coefficient * np.where(parameter >= 0, 1.0, -1.0)
