# peers/peers.mk — scripts that time numlab's peers (the lecture
# notebooks' numpy code) against numlab; run by hand, shipped in the tarball.
EXTRA_DIST += peers/temperature.py
EXTRA_DIST += peers/reduction-tree.py
