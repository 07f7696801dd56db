# Written by numlab: the backends whose datasets the .dat files
# hold, in dataset order (index 0 is the first word).
backends = ""
