"""Who a siaran reaches: the KIM and the subscribers of its target (helper B3)."""
