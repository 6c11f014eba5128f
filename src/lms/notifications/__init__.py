"""In-app notifications: the notification centre and real-time delivery over WebSocket."""
