"""Background work of siaran: fan-out and delivery."""
