# Leaves the cross-correlation to scipy.signal.correlate, one image and channel pair at a time (the own-work guard must catch it)
def conv_fprop(inputs, kernels, biases):
    from scipy.signal import correlate

    batch_size, num_input_channels = inputs.shape[:2]
    num_output_channels = kernels.shape[0]
    first = correlate(inputs[0, 0], kernels[0, 0], mode="valid")
    outputs = np.zeros((batch_size, num_output_channels) + first.shape)
    for b in range(batch_size):
        for o in range(num_output_channels):
            for c in range(num_input_channels):
                outputs[b, o] += correlate(inputs[b, c], kernels[o, c], mode="valid")
            outputs[b, o] += biases[o]
    return outputs
