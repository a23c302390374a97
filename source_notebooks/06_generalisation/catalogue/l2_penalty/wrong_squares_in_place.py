# Squares the caller's array in place to save memory, so the parameter changes
def l2_penalty(parameter, coefficient):
    parameter **= 2
    return 0.5 * coefficient * float(parameter.sum())


def l2_penalty_grad(parameter, coefficient):
    return coefficient * parameter
