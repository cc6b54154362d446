"""The numeric core: data, networks, training, probes, analysis and runs. numpy, JAX, Flax and optax only: nothing
here imports Streamlit or plotly (a test checks every module), so it works from Python, the CLI and tests alone.

config    the one frozen `Config` per experiment, its string form (URL, CLI) and validation
data      toy data sets and hand-made input features
model     activations, initialisations, the output heads and the network (`Arch`, one forward pass)
train     the training state (a pytree), the jit-compiled epochs, the compile-once cache
bridge    the padded network that trains a new architecture while its own program compiles
probes    what a network computes over the plane, gradient norms, confusion matrix
analysis  saliency, layer spaces, activation statistics, loss landscape
session   one experiment in progress: what the app and the CLI drive
sweep     many networks in lockstep (depth x width grids, seed ensembles) and background runs
"""
