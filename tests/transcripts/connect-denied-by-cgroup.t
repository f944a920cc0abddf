# A cgroup's socket filter (systemd's IPAddressDeny=, a container's egress policy) denies
# the connect with EPERM before any packet leaves. Not a verdict on the server.
connect-fails EPERM
expect finding LOCAL_LIMIT
expect no CONNECT_FAILED
expect message LOCAL_LIMIT Operation not permitted
expect status unknown
