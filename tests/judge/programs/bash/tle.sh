read -r n _
while [ "$n" -ne -1 ]; do
  n=$(( (n * 3 + 1) % 1000003 + 1 ))
done
