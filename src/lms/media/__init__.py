"""Course media: uploaded videos, attachments and thumbnails, stored on disk and served by signed links."""
