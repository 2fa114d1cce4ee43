step :: Int -> Int
step n = (n * 3 + 1) `mod` 1000003 + 1

main :: IO ()
main = do
  n <- read . head . words <$> getLine
  print (until (== (-1)) step n)
