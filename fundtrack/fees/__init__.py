"""The no-cure-no-pay success fee: what the fundraiser earns when a grant is won."""
