# A connect this machine cannot make (out of descriptors, ports or memory): the server was
# not tested, so no verdict on it.
connect-fails EMFILE
expect finding LOCAL_LIMIT
expect no CONNECT_FAILED
expect message LOCAL_LIMIT a lower --concurrency
expect status unknown
