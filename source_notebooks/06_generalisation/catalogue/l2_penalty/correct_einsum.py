# einsum over the flattened array for the value, np.multiply for the gradient
def l2_penalty(parameter, coefficient):
    flat = parameter.reshape(-1).astype(np.float64)
    return float(np.einsum("i,i->", flat, flat)) * coefficient * 0.5


def l2_penalty_grad(parameter, coefficient):
    return np.multiply(parameter, coefficient)
