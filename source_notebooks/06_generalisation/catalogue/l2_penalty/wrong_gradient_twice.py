# Differentiates lambda * w^2 instead of (lambda / 2) * w^2: the gradient is twice too large
def l2_penalty(parameter, coefficient):
    return 0.5 * coefficient * float(np.sum(parameter**2))


def l2_penalty_grad(parameter, coefficient):
    return 2 * coefficient * parameter
