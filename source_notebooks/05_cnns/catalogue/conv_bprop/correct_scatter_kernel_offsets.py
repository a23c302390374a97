# Scatters instead of padding: for each kernel offset, the weighted output gradients are added onto the shifted input slice.
def conv_bprop(inputs, kernels, grads_wrt_outputs):
    kernel_height, kernel_width = kernels.shape[2:]
    out_height, out_width = grads_wrt_outputs.shape[2:]
    grads_wrt_inputs = np.zeros(inputs.shape)
    for u in range(kernel_height):
        for v in range(kernel_width):
            contribution = np.einsum("boij,oc->bcij", grads_wrt_outputs, kernels[:, :, u, v])
            grads_wrt_inputs[:, :, u:u + out_height, v:v + out_width] += contribution
    return grads_wrt_inputs
