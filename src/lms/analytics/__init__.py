"""Analytics: an event store, daily rollups kept by consumers, and the dashboards that read them."""
