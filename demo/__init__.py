"""The demo firm: 37 people, their department data and past quarters run through the product's own services."""
