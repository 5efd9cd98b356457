"""The wecom service's outside end: the one WeCom API client (``client``)."""
