# A connect that fails at once for want of a route (a machine without IPv6): not tested
# from here, no verdict on the server, nothing sent.
connect-fails ENETUNREACH
expect finding ADDRESS_UNROUTED
expect no CONNECT_FAILED
expect message ADDRESS_UNROUTED this machine has no route to the address
expect status unknown
